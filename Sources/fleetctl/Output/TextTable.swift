/// A plain-text table: a header row and left-aligned columns separated by two spaces,
/// like kubectl's. Widths count characters, so multi-byte text lines up.
struct TextTable {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: [String]) {
        self.headers = headers
    }

    mutating func add(_ row: [String]) {
        precondition(row.count == headers.count, "a row has one cell per column")
        rows.append(row)
    }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 {
                    out += cell
                } else {
                    out += cell + String(repeating: " ", count: widths[i] - cell.count + 2)
                }
            }
            return out
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}

/// Label/value lines for one object, labels aligned.
struct DetailList {
    private(set) var items: [(String, String)] = []

    mutating func add(_ label: String, _ value: String) {
        items.append((label, value))
    }

    func render() -> String {
        let width = items.map(\.0.count).max() ?? 0
        return items.map { label, value in
            label + ":" + String(repeating: " ", count: width - label.count + 1) + value
        }.joined(separator: "\n")
    }
}
