import AlertFilterOptions
import Foundation
import Testing

/// `--since` and `--until` take the configuration's duration grammar for "ago", besides
/// absolute times.
@Suite struct TimeTextTests {
    let now = Date(timeIntervalSince1970: 1_764_150_000)
    /// `now` in microseconds.
    let nowUs: Int64 = 1_764_150_000_000_000

    @Test func durationsAreAgoInTheConfigurationGrammar() {
        #expect(TimeText.parse("90s", now: now) == nowUs - 90_000_000)
        #expect(TimeText.parse("1h30m", now: now) == nowUs - 5_400_000_000)
        #expect(TimeText.parse("2w", now: now) == nowUs - 1_209_600_000_000)
        #expect(TimeText.parse("500ms", now: now) == nowUs - 500_000)
    }

    @Test func absoluteTimes() {
        #expect(TimeText.parse("@1764150000", now: now) == nowUs)
        #expect(TimeText.parse("2025-11-26T09:40:00Z", now: now) == nowUs)
        #expect(TimeText.parse("2025-11-26 09:40:00", now: now) == nowUs)
    }

    @Test func notATime() {
        #expect(TimeText.parse("soon", now: now) == nil)
        #expect(TimeText.parse("5 weeks", now: now) == nil)
        #expect(TimeText.parse("", now: now) == nil)
    }
}
