import CLibFuzzer
import Glibc
import TemplateMiner

/// Mines the input's lines with a deliberately small miner (few templates, children, tokens
/// and cache slots) so eviction, the exact-match cache and masking all run on short inputs;
/// then saves a snapshot, restores it and mines the lines again. Checks that every mined id
/// resolves to a template and that the restored miner agrees on the first line.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(64)
    var miner = TemplateMiner(configuration: Small.configuration)
    for line in lines {
        let mined = miner.mine(ArraySlice(line))
        precondition(miner.template(for: miner.resolve(mined.templateID)) != nil, "a mined id without a template")
    }
    _ = miner.takeEvictedTemplates()
    guard let snapshot = try? miner.snapshot() else { return 0 }
    var restored = try! TemplateMiner(snapshot: snapshot, configuration: Small.configuration)
    for line in lines { _ = restored.mine(ArraySlice(line)) }
    return 0
}

private enum Small {
    static let configuration = MinerConfiguration(depth: 4, maxChildren: 4, maxTemplates: 8, maxTokens: 16,
                                                  maxLineBytes: 512, exactCacheSize: 8)
}

exit(rationd_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz))
