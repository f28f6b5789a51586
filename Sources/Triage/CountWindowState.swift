import RationCore

/// One source's count window: the last `size` events in a ring, emitted as a window every
/// `slide` events once `size` have arrived. Window keys are `SOURCE#N`, N counting from 0.
struct CountWindowState: Sendable {
    let size: Int
    let slide: Int
    private var ring: [(event: WindowEvent, text: String)] = []
    private var next = 0
    private var total = 0
    private var sinceEmit = 0
    private var emitted = 0

    init(size: Int, slide: Int) {
        self.size = size
        self.slide = slide
        ring.reserveCapacity(min(size, 4_096))
    }

    /// Adds an event; returns the window it completes, if any.
    mutating func append(_ event: WindowEvent, text: String, source: SourceID, keep: Int,
                         messagesPerTemplate: Int) -> Window? {
        if ring.count < size { ring.append((event, text)) } else { ring[next] = (event, text) }
        next = (next + 1) % size
        total += 1
        sinceEmit += 1
        guard total >= size && (total - size) % slide == 0 else { return nil }
        return emit(last: size, source: source, keep: keep, messagesPerTemplate: messagesPerTemplate)
    }

    /// The window of events not yet emitted in any window (end of stream), if there are any:
    /// for fixed windows the trailing partial window, for sliding ones the last `size` events.
    mutating func flushWindow(source: SourceID, keep: Int, messagesPerTemplate: Int) -> Window? {
        guard sinceEmit > 0 else { return nil }
        let count = slide == size ? sinceEmit : min(total, size)
        return emit(last: count, source: source, keep: keep, messagesPerTemplate: messagesPerTemplate)
    }

    private mutating func emit(last count: Int, source: SourceID, keep: Int, messagesPerTemplate: Int) -> Window {
        var events: [WindowEvent] = []
        events.reserveCapacity(min(count, keep))
        var templates: [TemplateID: String] = [:]
        var messages: [TemplateID: Int] = [:]
        let first = (next - count + size * 2) % size
        var start = EventTime(microsecondsSinceEpoch: .max)
        var end = EventTime(microsecondsSinceEpoch: .min)
        for k in 0..<count {
            var (event, text) = ring[(first + k) % ring.count]
            if event.time < start { start = event.time }
            if event.time > end { end = event.time }
            guard events.count < keep else { continue }
            let seen = messages[event.templateID, default: 0]
            if seen >= messagesPerTemplate { event.messageBytes = [] } else { messages[event.templateID] = seen + 1 }
            if templates[event.templateID] == nil { templates[event.templateID] = text }
            events.append(event)
        }
        let window = Window(key: SessionKey("\(source)#\(emitted)"), source: source, start: start, end: end,
                            events: events, eventCount: count, templates: templates)
        emitted += 1
        sinceEmit = 0
        return window
    }
}
