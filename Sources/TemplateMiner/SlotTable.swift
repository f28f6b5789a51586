import RationCore

/// A map from (owner, 64-bit key) to a slot number, by open addressing with linear probing
/// and a multiplicative hash. The miner's keys are token hashes and sequential template ids,
/// which a multiply spreads well: a probe costs a multiply where `Dictionary` runs SipHash,
/// and a line that makes a new template does a dozen of them. The owner lets one table hold
/// every edge of the prefix tree (owner = parent node), so nodes own no storage. Removal
/// shifts the following entries back: no tombstones, probe chains never outgrow the live
/// entries. The table grows to stay at most three-quarters full and never shrinks below its
/// peak, which the caller's own cap (templates, tree nodes) bounds.
struct SlotTable: Sendable {
    struct Cell: Sendable {
        var key: UInt64 = 0
        var owner: Int32 = 0
        /// -1 marks an empty cell.
        var value: Int32 = -1
    }

    private var cells: [Cell] = []
    private var shift = 64
    private(set) var count = 0

    init() {}

    @inline(__always)
    private static func home(_ owner: Int32, _ key: UInt64, _ shift: Int) -> Int {
        let mixed = (key &+ UInt64(UInt32(bitPattern: owner)) &* 0xC2B2_AE3D_27D4_EB4F) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> UInt64(shift))
    }

    subscript(owner: Int32, key: UInt64) -> Int32? {
        get {
            guard count > 0 else { return nil }
            return cells.withUnsafeBufferPointer { c in
                let mask = c.count - 1
                var i = Self.home(owner, key, shift)
                while c[i].value >= 0 {
                    if c[i].key == key && c[i].owner == owner { return c[i].value }
                    i = (i + 1) & mask
                }
                return nil
            }
        }
        set {
            if let newValue { insert(owner, key, newValue) } else { remove(owner, key) }
        }
    }

    private mutating func insert(_ owner: Int32, _ key: UInt64, _ value: Int32) {
        if (count + 1) * 4 > cells.count * 3 { grow() }
        let shift = self.shift
        let added: Bool = cells.withUnsafeMutableBufferPointer { c in
            let mask = c.count - 1
            var i = Self.home(owner, key, shift)
            while c[i].value >= 0 {
                if c[i].key == key && c[i].owner == owner { c[i].value = value; return false }
                i = (i + 1) & mask
            }
            c[i] = Cell(key: key, owner: owner, value: value)
            return true
        }
        if added { count += 1 }
    }

    private mutating func remove(_ owner: Int32, _ key: UInt64) {
        guard count > 0 else { return }
        let shift = self.shift
        let removed: Bool = cells.withUnsafeMutableBufferPointer { c in
            let mask = c.count - 1
            var i = Self.home(owner, key, shift)
            while c[i].value >= 0 && !(c[i].key == key && c[i].owner == owner) { i = (i + 1) & mask }
            guard c[i].value >= 0 else { return false }
            // Backward shift: move up each following entry whose home is not between the hole and it.
            var hole = i
            var j = (i + 1) & mask
            while c[j].value >= 0 {
                let h = Self.home(c[j].owner, c[j].key, shift)
                if (j > hole && (h <= hole || h > j)) || (j < hole && h <= hole && h > j) {
                    c[hole] = c[j]
                    hole = j
                }
                j = (j + 1) & mask
            }
            c[hole].value = -1
            return true
        }
        if removed { count -= 1 }
    }

    private mutating func grow() {
        let size = max(8, cells.count * 2)
        let old = cells
        cells = Array(repeating: Cell(), count: size)
        shift = 64 - size.trailingZeroBitCount
        count = 0
        for cell in old where cell.value >= 0 { insert(cell.owner, cell.key, cell.value) }
    }
}

/// Template id -> slot.
struct SlotByID: Sendable {
    private var table = SlotTable()

    var count: Int { table.count }

    subscript(id: TemplateID) -> Int32? {
        get { table[0, id.rawValue] }
        set { table[0, id.rawValue] = newValue }
    }
}
