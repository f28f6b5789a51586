import RationCore

/// The compact binary payload of a stored alert. Foundation's JSON coders cost far more than
/// the rest of an append or a query (measured by bench-store); this codec writes the same
/// fields in order, strings as raw UTF-8, so a text search can also scan payloads directly.
///
/// Layout: format u8 (1) · schema u8 · the alert's fields in declaration order (optional
/// values behind a presence byte, strings as u32 length + UTF-8, lists as u32 count + items)
/// · the occurrence histogram.
package enum AlertBinaryCodec {
    static let format: UInt8 = 1

    /// The payload alone, for tools that need a valid one (the fuzzer's seeds).
    package static func encode(_ stored: StoredAlert) -> [UInt8] {
        var w = ByteWriter(capacity: 1024)
        encode(stored, into: &w)
        return w.bytes
    }

    static func encode(_ stored: StoredAlert, into w: inout ByteWriter) {
        let a = stored.alert
        w.u8(format)
        w.u8(UInt8(clamping: stored.schema))
        w.u64(a.id.rawValue)
        w.i64(a.firstSeen.microsecondsSinceEpoch)
        w.i64(a.lastSeen.microsecondsSinceEpoch)
        w.i64(Int64(a.count))
        w.optionalString(a.host)
        // Window
        let window = a.window
        w.string(window.key.rawValue)
        w.string(window.source.rawValue)
        w.i64(window.start.microsecondsSinceEpoch)
        w.i64(window.end.microsecondsSinceEpoch)
        w.i64(Int64(window.eventCount))
        w.u32(UInt32(window.events.count))
        for e in window.events {
            w.i64(e.time.microsecondsSinceEpoch)
            w.u64(e.templateID.rawValue)
            w.string(e.message)
            w.u8(e.priority.map { UInt8($0.rawValue) } ?? 255)
            w.optionalString(e.unit)
        }
        let templates = window.templates.sorted { $0.key < $1.key }
        w.u32(UInt32(templates.count))
        for (id, text) in templates {
            w.u64(id.rawValue)
            w.string(text)
        }
        // Suspicion
        w.f64(a.suspicion.score)
        w.u8(a.suspicion.escalated ? 1 : 0)
        w.u32(UInt32(a.suspicion.reasons.count))
        for r in a.suspicion.reasons {
            w.string(r.kind.rawValue)
            w.f64(r.score)
            w.optionalU64(r.templateID?.rawValue)
            w.optionalU64(r.previousTemplateID?.rawValue)
            w.string(r.detail)
        }
        // Verdict
        let v = a.verdict
        w.u8(RecordIndex.code(v.label))
        switch v.status {
        case .verified: w.u8(0)
        case let .unverified(reason): w.u8(1); w.string(reason)
        case let .skipped(reason): w.u8(2); w.string(reason)
        case .operatorOverride: w.u8(3)
        }
        w.string(v.rationale)
        w.optionalString(v.model)
        if let s = v.verifierScore { w.u8(1); w.f64(s) } else { w.u8(0) }
        if let l = v.latency {
            let (seconds, attoseconds) = l.components
            w.u8(1); w.i64(seconds); w.i64(attoseconds)
        } else { w.u8(0) }
        w.optionalU64(v.promptTokens.map { UInt64(bitPattern: Int64($0)) })
        w.optionalU64(v.completionTokens.map { UInt64(bitPattern: Int64($0)) })
        w.u8(v.cached ? 1 : 0)
        // Operator label
        if let l = a.operatorLabel {
            w.u8(1)
            w.u8(RecordIndex.code(l.label))
            w.optionalString(l.note)
            w.i64(l.time.microsecondsSinceEpoch)
        } else { w.u8(0) }
        // Histogram
        let h = stored.histogram
        w.i64(h.start.microsecondsSinceEpoch)
        w.i64(h.bucketSeconds)
        w.u32(UInt32(h.counts.count))
        for c in h.counts { w.i64(Int64(c)) }
    }

    package enum Failure: Error {
        case malformed
        case newerFormat(Int)
    }

    package static func decode(_ bytes: [UInt8], _ range: Range<Int>) throws(Failure) -> StoredAlert {
        var r = ByteReader(bytes, range: range)
        do {
            let f = try r.u8()
            guard f <= format else { throw Failure.newerFormat(Int(f)) }
            let schema = Int(try r.u8())
            let id = AlertID(try r.u64())
            let firstSeen = EventTime(microsecondsSinceEpoch: try r.i64())
            let lastSeen = EventTime(microsecondsSinceEpoch: try r.i64())
            let count = Int(try r.i64())
            let host = try r.optionalString()
            let key = SessionKey(try r.string())
            let source = SourceID(try r.string())
            let start = EventTime(microsecondsSinceEpoch: try r.i64())
            let end = EventTime(microsecondsSinceEpoch: try r.i64())
            let eventCount = Int(try r.i64())
            let nEvents = Int(try r.u32())
            guard nEvents <= r.remaining else { throw Failure.malformed }
            var events: [WindowEvent] = []
            events.reserveCapacity(nEvents)
            for _ in 0..<nEvents {
                let time = EventTime(microsecondsSinceEpoch: try r.i64())
                let tid = TemplateID(try r.u64())
                let message = try r.string()
                let p = try r.u8()
                let unit = try r.optionalString()
                events.append(WindowEvent(time: time, templateID: tid, message: message,
                                          priority: p == 255 ? nil : Priority(rawValue: Int(p)), unit: unit))
            }
            let nTemplates = Int(try r.u32())
            guard nTemplates <= r.remaining else { throw Failure.malformed }
            var templates: [TemplateID: String] = [:]
            templates.reserveCapacity(nTemplates)
            for _ in 0..<nTemplates {
                let tid = TemplateID(try r.u64())
                templates[tid] = try r.string()
            }
            let window = Window(key: key, source: source, start: start, end: end, events: events,
                                eventCount: eventCount, templates: templates)
            let score = try r.f64()
            let escalated = try r.u8() != 0
            let nReasons = Int(try r.u32())
            guard nReasons <= r.remaining else { throw Failure.malformed }
            var reasons: [SuspicionReason] = []
            for _ in 0..<nReasons {
                guard let kind = SuspicionReason.Kind(rawValue: try r.string()) else { throw Failure.malformed }
                let s = try r.f64()
                let tid = try r.optionalU64().map(TemplateID.init(rawValue:))
                let prev = try r.optionalU64().map(TemplateID.init(rawValue:))
                reasons.append(SuspicionReason(kind: kind, score: s, templateID: tid, previousTemplateID: prev,
                                               detail: try r.string()))
            }
            let label = try label(r.u8())
            let status: Verdict.Status
            switch try r.u8() {
            case 0: status = .verified
            case 1: status = .unverified(reason: try r.string())
            case 2: status = .skipped(reason: try r.string())
            case 3: status = .operatorOverride
            default: throw Failure.malformed
            }
            let rationale = try r.string()
            let model = try r.optionalString()
            let verifierScore: Double? = try r.u8() != 0 ? try r.f64() : nil
            let latency: Duration? = try r.u8() != 0 ? Duration(secondsComponent: try r.i64(), attosecondsComponent: try r.i64()) : nil
            let promptTokens = try r.optionalU64().map { Int(Int64(bitPattern: $0)) }
            let completionTokens = try r.optionalU64().map { Int(Int64(bitPattern: $0)) }
            let cached = try r.u8() != 0
            let verdict = Verdict(label: label, status: status, rationale: rationale, model: model,
                                  verifierScore: verifierScore, latency: latency, promptTokens: promptTokens,
                                  completionTokens: completionTokens, cached: cached)
            var operatorLabel: OperatorLabel?
            if try r.u8() != 0 {
                guard let l = try self.label(r.u8()) else { throw Failure.malformed }
                let note = try r.optionalString()
                operatorLabel = OperatorLabel(label: l, note: note, time: EventTime(microsecondsSinceEpoch: try r.i64()))
            }
            let hStart = EventTime(microsecondsSinceEpoch: try r.i64())
            let bucketSeconds = try r.i64()
            let nCounts = Int(try r.u32())
            guard nCounts <= r.remaining, bucketSeconds > 0 else { throw Failure.malformed }
            var counts: [Int] = []
            for _ in 0..<nCounts { counts.append(Int(try r.i64())) }
            guard r.remaining == 0 else { throw Failure.malformed }
            let alert = Alert(id: id, firstSeen: firstSeen, lastSeen: lastSeen, count: count, host: host, window: window,
                              suspicion: Suspicion(score: score, reasons: reasons, escalated: escalated),
                              verdict: verdict, operatorLabel: operatorLabel)
            var stored = StoredAlert(alert: alert)
            stored.schema = schema
            stored.histogram = OccurrenceHistogram(start: hStart, bucketSeconds: bucketSeconds, count: 0)
            stored.histogram.counts = counts
            return stored
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .malformed
        }
    }

    private static func label(_ code: UInt8) throws(Failure) -> Verdict.Label? {
        switch code {
        case 0: nil
        case 1: .normal
        case 2: .abnormal
        default: throw .malformed
        }
    }
}

extension ByteWriter {
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optionalString(_ s: String?) {
        if let s { u8(1); string(s) } else { u8(0) }
    }

    mutating func optionalU64(_ v: UInt64?) {
        if let v { u8(1); u64(v) } else { u8(0) }
    }
}

extension ByteReader {
    mutating func string() throws(ByteUnderflow) -> String {
        let n = Int(try u32())
        let r = try range(n)
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) }
    }

    mutating func optionalString() throws(ByteUnderflow) -> String? {
        try u8() != 0 ? try string() : nil
    }

    mutating func optionalU64() throws(ByteUnderflow) -> UInt64? {
        try u8() != 0 ? try u64() : nil
    }
}
