import CLibFuzzer
import Control
import Foundation
import NIOCore
import NIOEmbedded

/// Feeds bytes to the control socket's framing and message parsing as a client could send
/// them: split into reads of a size the first byte picks, NUL-framed with a small limit,
/// then each frame decoded as a call (and its parameters as each method's), and as a reply.
/// Checks that frames reassemble the input exactly and never exceed the limit.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let first = input.first else { return 0 }
    let readSize = Int(first % 64) + 1
    let body = UnsafeBufferPointer(rebasing: input.dropFirst())
    let limit = 512
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(NULFrameDecoder(maxMessageBytes: limit)))
    var messages: [[UInt8]] = []
    var overflowed = false
    var offset = 0
    while offset < body.count {
        let end = min(offset + readSize, body.count)
        var buffer = channel.allocator.buffer(capacity: end - offset)
        buffer.writeBytes(body[offset..<end])
        try! channel.writeInbound(buffer)
        while let frame = try! channel.readInbound(as: VarlinkFrame.self) {
            precondition(!overflowed, "a frame after tooLarge")
            switch frame {
            case .message(let message):
                precondition(message.readableBytes <= limit, "a message over the limit")
                messages.append(Array(message.readableBytesView))
            case .tooLarge:
                overflowed = true
            }
        }
        offset = end
    }
    _ = try? channel.finish()
    if !overflowed {
        // Every NUL-terminated prefix of the input comes back as messages, in order.
        var expected = Array(body)
        if let lastNUL = expected.lastIndex(of: 0) { expected.removeSubrange((lastNUL + 1)...) } else { expected = [] }
        precondition(messages.flatMap { $0 + [0] } == expected, "frames do not reassemble the input")
    }
    for message in messages { parse(Data(message)) }
    return 0
}

private func parse(_ message: Data) {
    if let call = try? VarlinkJSON.decode(VarlinkCall.self, from: message) {
        _ = try? VarlinkJSON.encode(call)
        if let parameters = call.parameters {
            _ = try? VarlinkJSON.decode(Control.AlertQuery.self, from: parameters)
            _ = try? VarlinkJSON.decode(GetAlertParameters.self, from: parameters)
            _ = try? VarlinkJSON.decode(TemplateQuery.self, from: parameters)
            _ = try? VarlinkJSON.decode(LabelParameters.self, from: parameters)
            _ = try? VarlinkJSON.decode(GetInterfaceDescriptionParameters.self, from: parameters)
            _ = try? VarlinkJSON.decode(NoParameters.self, from: parameters)
        }
    }
    if let reply = try? VarlinkJSON.decode(VarlinkReply.self, from: message) {
        _ = try? VarlinkJSON.encode(reply)
        if let parameters = reply.parameters {
            _ = try? VarlinkJSON.decode(DaemonStatus.self, from: parameters)
            _ = try? VarlinkJSON.decode(AlertRecord.self, from: parameters)
        }
    }
}

exit(rationd_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz))
