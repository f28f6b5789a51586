import CSystemd

/// The configured filters as an sd-journal match expression:
/// `(unit ∈ units OR identifier ∈ identifiers) AND priority ≤ N AND boot = current`.
/// sd-journal ORs matches on one field, ANDs different fields, and splits terms with
/// `add_disjunction` (OR) and `add_conjunction` (AND).
struct JournalMatches: Equatable {
    enum Term: Equatable {
        case field(String)
        case or
        case and
    }

    var terms: [Term] = []

    init(_ configuration: JournalSourceConfiguration) throws(IngestError) {
        var groups: [[Term]] = []
        var origin: [Term] = configuration.units.map { .field("_SYSTEMD_UNIT=\($0)") }
        if !configuration.identifiers.isEmpty {
            if !origin.isEmpty { origin.append(.or) }
            origin += configuration.identifiers.map { .field("SYSLOG_IDENTIFIER=\($0)") }
        }
        if !origin.isEmpty { groups.append(origin) }
        if let maxPriority = configuration.maxPriority {
            groups.append((0...maxPriority.rawValue).map { .field("PRIORITY=\($0)") })
        }
        if configuration.currentBootOnly {
            var boot = sd_id128_t()
            let r = sd_id128_get_boot(&boot)
            if r < 0 { throw .journal(operation: "sd_id128_get_boot", code: r, detail: "current_boot_only") }
            groups.append([.field("_BOOT_ID=\(Self.hex(boot))")])
        }
        for (index, group) in groups.enumerated() {
            if index > 0 { terms.append(.and) }
            terms += group
        }
    }

    static func hex(_ id: sd_id128_t) -> String {
        withUnsafeBytes(of: id.bytes) { raw in
            raw.map { byte in
                let digits = Array("0123456789abcdef".utf8)
                return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
            }.joined()
        }
    }
}
