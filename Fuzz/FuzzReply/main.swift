import CLibFuzzer
import Glibc
import Reasoning
import RationCore

/// Verifies the input as a model's reply. The first byte picks the reply constraint and
/// whether the reply was cut at the length limit; the rest, split at NUL, is the reply
/// followed by the evidence it may quote. Checks the score never exceeds the maximum and a
/// verified reply has an allowed label.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let first = input.first else { return 0 }
    let constraints = ReplyConstraint.allCases
    let constraint = constraints[Int(first) % constraints.count]
    let finishReason = first & 0x80 != 0 ? "length" : "stop"
    let parts = input.dropFirst().split(separator: 0, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    let evidence = Array(parts.dropFirst())
    let outcome = ReplyVerifier().verify(content: parts.first ?? "", constraint: constraint, evidence: evidence,
                                         lineCount: evidence.count, finishReason: finishReason)
    precondition(outcome.score <= ReplyVerifier.maximumScore + 1e-9, "score above the maximum")
    precondition(!outcome.isVerified || outcome.label != nil, "verified without a label")
    return 0
}

exit(rationd_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz))
