import CLibFuzzer
import Glibc
import Ingest
import RationCore

nonisolated(unsafe) private var decoder = JournalEntryDecoder(source: SourceID("journal"))

/// Decodes bytes as one journal entry's data objects (`NAME=value`, separated here by NUL)
/// the way the journal reader does, with one decoder kept across inputs as in the daemon,
/// so its interned strings are reused. Checks the message is the MESSAGE field's value.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let fields = input.split(separator: 0, omittingEmptySubsequences: false).map { UnsafeRawBufferPointer(rebasing: $0) }
    let decoded = decoder.decodeFields(fields)
    let messageField = fields.last { $0.starts(with: "MESSAGE=".utf8) }
    precondition(decoded.message == messageField.map { Array($0.dropFirst(8)) }, "message is not the last MESSAGE value")
    _ = String(describing: decoded.fields)
    return 0
}

exit(rationd_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz))
