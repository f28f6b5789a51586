import CZstd

/// One-shot zstd compression of a whole buffer (snapshots, state files).
public enum ZstdFrame {
    public static func compress(_ input: [UInt8], level: Int32 = 3) throws(ZstdError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, level)
            }
        }
        if ZSTD_isError(written) != 0 { throw ZstdError(code: written) }
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses one frame; refuses frames that claim more than `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 31) throws(ZstdError) -> [UInt8] {
        let size = input.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        if size == ZSTD_CONTENTSIZE_ERROR { throw ZstdError(message: "not a zstd frame") }
        if size == ZSTD_CONTENTSIZE_UNKNOWN { return try decompressStreaming(input, limit: limit) }
        guard size <= UInt64(limit) else { throw ZstdError(message: "frame claims \(size) bytes, over the limit of \(limit)") }
        var output = [UInt8](repeating: 0, count: Int(size))
        let n = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_decompress(dst.baseAddress, dst.count, src.baseAddress, src.count)
            }
        }
        if ZSTD_isError(n) != 0 { throw ZstdError(code: n) }
        output.removeSubrange(n...)
        return output
    }

    private static func decompressStreaming(_ input: [UInt8], limit: Int) throws(ZstdError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw ZstdError(message: "out of memory") }
        defer { ZSTD_freeDStream(stream) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        var failure: ZstdError?
        input.withUnsafeBytes { src in
            var inBuf = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while inBuf.pos < inBuf.size {
                let produced: Int = chunk.withUnsafeMutableBytes { dst in
                    var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_decompressStream(stream, &outBuf, &inBuf)
                    if ZSTD_isError(r) != 0 { failure = ZstdError(code: r); return -1 }
                    return outBuf.pos
                }
                if produced < 0 { return }
                result.append(contentsOf: chunk[0..<produced])
                if result.count > limit { failure = ZstdError(message: "output over the limit of \(limit)"); return }
                if produced == 0 && inBuf.pos == inBuf.size { break }
            }
        }
        if let failure { throw failure }
        return result
    }
}

public struct ZstdError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public init(code: Int) { self.message = String(cString: ZSTD_getErrorName(code)) }
    public var description: String { "zstd: \(message)" }
}
