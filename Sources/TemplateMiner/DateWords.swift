/// Month and weekday names written out in timestamps (`Fri Jul  1 07:57:30 2005`): a month
/// name followed by a number, or a weekday name followed by a month name, is a value.
enum DateWords {
    private static let months: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                                            "january", "february", "march", "april", "june", "july", "august", "september",
                                            "october", "november", "december"].map { Array($0.utf8) }
    private static let weekdays: [[UInt8]] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday",
                                              "wednesday", "thursday", "friday", "saturday", "sunday"].map { Array($0.utf8) }

    static func isDateWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, next: Int, n: Int) -> Bool {
        let length = end - start
        guard length >= 3, length <= 9, ByteClass.isLetter(b[start]), b[start] < 0x5B else { return false }
        guard next < n else { return false }
        if matches(months, b, start, end) { return ByteClass.isDigit(b[next]) }
        if matches(weekdays, b, start, end) {
            var nextEnd = next
            while nextEnd < n && !ByteClass.isSpace(b[nextEnd]) { nextEnd += 1 }
            return matches(months, b, next, nextEnd)
        }
        return false
    }

    private static func matches(_ words: [[UInt8]], _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        for word in words where word.count == length {
            var i = 0
            while i < length && (b[start + i] | 0x20) == word[i] { i += 1 }
            if i == length { return true }
        }
        return false
    }
}
