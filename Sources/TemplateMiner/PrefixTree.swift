/// Drain's fixed-depth tree: the root branches on the token count, the next `depth - 2`
/// levels on the leading tokens (masked tokens and overflow share the wildcard branch), and
/// each leaf holds the templates to compare a line with. Nodes live in one array; emptied
/// branches are pruned and their slots reused, so the tree stays proportional to the live
/// templates.
struct PrefixTree: Sendable {
    struct Node: Sendable {
        var children: [UInt64: Int32] = [:]
        var templates: [Int32] = []
        var parent: Int32
        var key: UInt64
    }

    static var wildcardKey: UInt64 { TokenHash.wildcard }
    private(set) var nodes: [Node] = [Node(parent: -1, key: 0)]
    private var freeNodes: [Int32] = []

    /// The leaf a line belongs to, if that branch exists.
    func leaf(for line: TokenizedLine, depth: Int) -> Int32? {
        guard var node = nodes[0].children[UInt64(line.count)] else { return nil }
        let levels = min(depth - 2, line.count)
        var level = 0
        while level < levels {
            let children = nodes[Int(node)].children
            let key = line.tokens[level].hasMask ? Self.wildcardKey : line.tokens[level].hash
            if let next = children[key] {
                node = next
            } else if let next = children[Self.wildcardKey] {
                node = next
            } else {
                return nil
            }
            level += 1
        }
        return node
    }

    /// The branch keys for a new template made from `line`, following Drain's rules for
    /// full nodes; `insert(path:)` then creates it.
    func path(for line: TokenizedLine, depth: Int, maxChildren: Int) -> [UInt64] {
        var keys: [UInt64] = [UInt64(line.count)]
        var node: Int32? = nodes[0].children[UInt64(line.count)]
        let levels = min(depth - 2, line.count)
        for level in 0..<levels {
            var key = line.tokens[level].hasMask ? Self.wildcardKey : line.tokens[level].hash
            let children = node.map { nodes[Int($0)].children } ?? [:]
            if children[key] == nil && key != Self.wildcardKey {
                let hasWildcard = children[Self.wildcardKey] != nil
                if hasWildcard {
                    if children.count >= maxChildren { key = Self.wildcardKey }
                } else if children.count + 1 >= maxChildren {
                    key = Self.wildcardKey
                }
            }
            keys.append(key)
            node = node.flatMap { nodes[Int($0)].children[key] }
        }
        return keys
    }

    /// Creates the branch for `path` where missing; returns its leaf.
    mutating func insert(path: [UInt64]) -> Int32 {
        var node: Int32 = 0
        for key in path {
            if let next = nodes[Int(node)].children[key] {
                node = next
            } else {
                let fresh = Node(parent: node, key: key)
                let index: Int32
                if let reused = freeNodes.popLast() {
                    nodes[Int(reused)] = fresh
                    index = reused
                } else {
                    nodes.append(fresh)
                    index = Int32(nodes.count - 1)
                }
                nodes[Int(node)].children[key] = index
                node = index
            }
        }
        return node
    }

    mutating func add(template slot: Int32, to leaf: Int32) {
        nodes[Int(leaf)].templates.append(slot)
    }

    /// Removes a template from its leaf and prunes branches left empty.
    mutating func remove(template slot: Int32, from leaf: Int32) {
        if let at = nodes[Int(leaf)].templates.firstIndex(of: slot) {
            nodes[Int(leaf)].templates.remove(at: at)
        }
        var node = leaf
        while node != 0 && nodes[Int(node)].templates.isEmpty && nodes[Int(node)].children.isEmpty {
            let parent = nodes[Int(node)].parent
            nodes[Int(parent)].children[nodes[Int(node)].key] = nil
            nodes[Int(node)] = Node(parent: -1, key: 0)
            freeNodes.append(node)
            node = parent
        }
    }

    func templates(in leaf: Int32) -> [Int32] { nodes[Int(leaf)].templates }

    var liveNodeCount: Int { nodes.count - freeNodes.count }
}
