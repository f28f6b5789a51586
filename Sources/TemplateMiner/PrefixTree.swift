/// Drain's fixed-depth tree: the root branches on the token count, the next `depth - 2`
/// levels on the leading tokens (masked tokens and overflow share the wildcard branch), and
/// each leaf holds the templates to compare a line with. Nodes live in one array; emptied
/// branches are pruned and their slots reused, so the tree stays proportional to the live
/// templates.
///
/// A leaf's templates form a list, most recently matched first (links indexed by slot), so
/// that a line is compared with a bounded number of them whatever the leaf holds: adding,
/// removing and moving a template to the front are O(1).
struct PrefixTree: Sendable {
    struct Node: Sendable {
        var childCount: Int32 = 0
        /// First template slot of the leaf's list, -1 when empty.
        var head: Int32 = -1
        var templateCount: Int32 = 0
        var parent: Int32
        var key: UInt64
    }

    static var wildcardKey: UInt64 { TokenHash.wildcard }
    private(set) var nodes: [Node] = [Node(parent: -1, key: 0)]
    /// Every branch: (parent node, key) -> child node.
    private var edges = SlotTable()
    private var freeNodes: [Int32] = []
    /// Leaf list links by template slot.
    private var next: [Int32] = []
    private var previous: [Int32] = []

    /// The leaf a line belongs to, if that branch exists.
    func leaf(for line: TokenizedLine, depth: Int) -> Int32? {
        guard var node = edges[0, UInt64(line.count)] else { return nil }
        let levels = min(depth - 2, line.count)
        var level = 0
        while level < levels {
            let key = line.tokens[level].hasMask ? Self.wildcardKey : line.tokens[level].hash
            if let next = edges[node, key] {
                node = next
            } else if let next = edges[node, Self.wildcardKey] {
                node = next
            } else {
                return nil
            }
            level += 1
        }
        return node
    }

    /// The leaf for a new template made from `line`, its branch created where missing
    /// following Drain's rules for full nodes: a token that would overfill a node goes down
    /// the wildcard branch.
    mutating func insertLeaf(for line: TokenizedLine, depth: Int, maxChildren: Int) -> Int32 {
        var node = child(of: 0, key: UInt64(line.count))
        let levels = min(depth - 2, line.count)
        for level in 0..<levels {
            var key = line.tokens[level].hasMask ? Self.wildcardKey : line.tokens[level].hash
            if let found = edges[node, key] {
                node = found
                continue
            }
            if key != Self.wildcardKey {
                let count = Int(nodes[Int(node)].childCount)
                let full = edges[node, Self.wildcardKey] != nil ? count >= maxChildren : count + 1 >= maxChildren
                if full { key = Self.wildcardKey }
            }
            node = child(of: node, key: key)
        }
        return node
    }

    /// The child of `node` under `key`, created when missing.
    private mutating func child(of node: Int32, key: UInt64) -> Int32 {
        if let next = edges[node, key] { return next }
        let index: Int32
        if let reused = freeNodes.popLast() {
            index = reused
            nodes[Int(index)].parent = node
            nodes[Int(index)].key = key
        } else {
            nodes.append(Node(parent: node, key: key))
            index = Int32(nodes.count - 1)
        }
        edges[node, key] = index
        nodes[Int(node)].childCount += 1
        return index
    }

    /// The branch keys of a node, from the token-count level down (what `insert(path:)`
    /// takes to find or make it again).
    func path(of leaf: Int32) -> [UInt64] {
        var keys: [UInt64] = []
        var node = leaf
        while node > 0 {
            keys.append(nodes[Int(node)].key)
            node = nodes[Int(node)].parent
        }
        return keys.reversed()
    }

    /// Creates the branch for `path` where missing; returns its leaf.
    mutating func insert(path: [UInt64]) -> Int32 {
        var node: Int32 = 0
        for key in path { node = child(of: node, key: key) }
        return node
    }

    /// Puts a template at the front of its leaf's list.
    mutating func add(template slot: Int32, to leaf: Int32) {
        let s = Int(slot)
        if s >= next.count {
            let grow = s - next.count + 1
            next += repeatElement(-1, count: grow)
            previous += repeatElement(-1, count: grow)
        }
        let head = nodes[Int(leaf)].head
        next[s] = head
        previous[s] = -1
        if head >= 0 { previous[Int(head)] = slot }
        nodes[Int(leaf)].head = slot
        nodes[Int(leaf)].templateCount += 1
    }

    /// Moves a template of the leaf to the front of its list.
    mutating func moveToFront(template slot: Int32, in leaf: Int32) {
        guard nodes[Int(leaf)].head != slot else { return }
        unlink(slot, from: leaf)
        add(template: slot, to: leaf)
    }

    private mutating func unlink(_ slot: Int32, from leaf: Int32) {
        let s = Int(slot)
        let before = previous[s]
        let after = next[s]
        if before >= 0 { next[Int(before)] = after } else { nodes[Int(leaf)].head = after }
        if after >= 0 { previous[Int(after)] = before }
        next[s] = -1
        previous[s] = -1
        nodes[Int(leaf)].templateCount -= 1
    }

    /// Removes a template from its leaf and prunes branches left empty.
    mutating func remove(template slot: Int32, from leaf: Int32) {
        unlink(slot, from: leaf)
        var node = leaf
        while node != 0 && nodes[Int(node)].templateCount == 0 && nodes[Int(node)].childCount == 0 {
            let parent = nodes[Int(node)].parent
            edges[parent, nodes[Int(node)].key] = nil
            nodes[Int(parent)].childCount -= 1
            // A freed node is already empty: no children, head -1, no templates.
            nodes[Int(node)].parent = -1
            freeNodes.append(node)
            node = parent
        }
    }

    /// The first template of a leaf's list, -1 when empty.
    @inline(__always)
    func head(of leaf: Int32) -> Int32 { nodes[Int(leaf)].head }

    /// The template after `slot` in its leaf's list, -1 at the end.
    @inline(__always)
    func template(after slot: Int32) -> Int32 { next[Int(slot)] }

    /// All templates of a leaf, most recently matched first.
    func templates(in leaf: Int32) -> [Int32] {
        var result: [Int32] = []
        var slot = nodes[Int(leaf)].head
        while slot >= 0 {
            result.append(slot)
            slot = next[Int(slot)]
        }
        return result
    }

    var liveNodeCount: Int { nodes.count - freeNodes.count }
}
