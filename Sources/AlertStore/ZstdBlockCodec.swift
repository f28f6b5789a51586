import CZstd

/// Reusable zstd contexts for sealed blocks (one compression and one decompression context;
/// used under the store's lock).
final class ZstdBlockCodec {
    private let cctx: OpaquePointer
    private let dctx: OpaquePointer
    let level: Int32

    init(level: Int32) {
        cctx = ZSTD_createCCtx()
        dctx = ZSTD_createDCtx()
        self.level = level
    }

    deinit {
        ZSTD_freeCCtx(cctx)
        ZSTD_freeDCtx(dctx)
    }

    func compress(_ input: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let n = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compressCCtx(cctx, dst.baseAddress, dst.count, src.baseAddress, src.count, level)
            }
        }
        guard ZSTD_isError(n) == 0 else { return nil }
        output.removeSubrange(n...)
        return output
    }

    /// Decompresses `input[range]` into exactly `size` bytes, or nil when damaged.
    func decompress(_ input: [UInt8], _ range: Range<Int>, size: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: size)
        let n = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_decompressDCtx(dctx, dst.baseAddress, dst.count, src.baseAddress! + range.lowerBound, range.count)
            }
        }
        guard ZSTD_isError(n) == 0, n == size else { return nil }
        return output
    }
}
