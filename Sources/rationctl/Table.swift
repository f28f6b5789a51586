import RationCore

/// Columns aligned for people: left-aligned text, right-aligned numbers; the last column
/// is not padded. Cells hold log text, so their control characters are escaped.
struct Table {
    var headers: [String]
    var rightAligned: Set<Int>
    var rows: [[String]]

    init(_ headers: [String], rightAligned: Set<Int> = [], rows: [[String]]) {
        self.headers = headers
        self.rightAligned = rightAligned
        self.rows = rows.map { $0.map { TerminalText.escaped($0) } }
    }

    func render() -> String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                if rightAligned.contains(i) { return pad + cell }
                return i == row.count - 1 ? cell : cell + pad
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
