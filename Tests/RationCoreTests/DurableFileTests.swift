import Foundation
import Testing
@testable import RationCore

@Suite struct DurableFileTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationcore-\(UUID().uuidString)").path

    @Test func writeThenReadReplacesWholeFile() throws {
        try DurableFile.makeDirectories(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/state"
        #expect(try DurableFile.read(path) == nil)
        try DurableFile.write(Array("first version, longer".utf8), to: path)
        try DurableFile.write(Array("second".utf8), to: path)
        #expect(try DurableFile.read(path) == Array("second".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
    }

    @Test func writeIntoMissingDirectoryNamesThePath() {
        let path = dir + "/missing/state"
        #expect {
            try DurableFile.write([1, 2, 3], to: path)
        } throws: { error in
            "\(error)".contains("/missing/state.tmp.")
        }
    }
}

@Suite struct ZstdFrameTests {
    @Test func roundTrip() throws {
        let input = Array(String(repeating: "081109 203615 148 INFO dfs.DataNode$PacketResponder: ", count: 500).utf8)
        let compressed = try ZstdFrame.compress(input)
        #expect(compressed.count < input.count / 10)
        #expect(try ZstdFrame.decompress(compressed) == input)
    }

    @Test func garbageIsAnError() {
        #expect(throws: ZstdError.self) { try ZstdFrame.decompress([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
    }

    @Test func frameOverLimitIsRefused() throws {
        let compressed = try ZstdFrame.compress([UInt8](repeating: 7, count: 10_000))
        #expect(throws: ZstdError.self) { try ZstdFrame.decompress(compressed, limit: 100) }
    }
}
