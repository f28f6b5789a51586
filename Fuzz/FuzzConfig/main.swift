import CLibFuzzer
import Glibc
import Configuration

/// Reads bytes as the daemon's TOML configuration file: parsing, the merge of tables, typed
/// reading of every key and the operator-facing error (which locates the key in the text).
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try RationdConfiguration(text: text, file: "fuzz.toml")
    } catch {
        _ = String(describing: error)
    }
    return 0
}

exit(rationd_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz))
