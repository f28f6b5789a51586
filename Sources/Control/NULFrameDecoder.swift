import NIOCore

/// One inbound unit of a varlink connection.
package enum VarlinkFrame: Sendable {
    /// A message body without its terminating NUL.
    case message(ByteBuffer)
    /// More than the limit arrived without a NUL: the connection cannot be trusted further.
    case tooLarge
}

/// Splits the byte stream at NUL bytes, refusing messages longer than `maxMessageBytes`
/// instead of buffering them without bound. After `tooLarge` everything is discarded.
package struct NULFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = VarlinkFrame

    package let maxMessageBytes: Int
    private var overflowed = false
    /// Bytes already searched without finding a NUL, so each byte is scanned once.
    private var scanned = 0

    package init(maxMessageBytes: Int) { self.maxMessageBytes = maxMessageBytes }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if overflowed {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        let start = view.index(view.startIndex, offsetBy: scanned)
        if let nul = view[start...].firstIndex(of: 0) {
            let length = nul - view.startIndex
            scanned = 0
            if length > maxMessageBytes { return overflow(context: context, buffer: &buffer) }
            let message = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(Self.wrapInboundOut(.message(message)))
            return .continue
        }
        scanned = view.count
        if view.count > maxMessageBytes { return overflow(context: context, buffer: &buffer) }
        return .needMoreData
    }

    private mutating func overflow(context: ChannelHandlerContext, buffer: inout ByteBuffer) -> DecodingState {
        overflowed = true
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        context.fireChannelRead(Self.wrapInboundOut(.tooLarge))
        return .needMoreData
    }

    package mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A trailing message without its NUL is incomplete: varlink requires the terminator.
        try decode(context: context, buffer: &buffer)
    }
}
