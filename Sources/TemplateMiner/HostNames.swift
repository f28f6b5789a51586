/// Host names written out: fully qualified names (`proxy.example.edu.hk`, `mail.google.com`)
/// and `host:port`. Neither holds a digit necessarily, so the numeric masks miss them, and
/// left literal they split a template per host. A dotted word is a host name only when its
/// last label is a top-level domain, which keeps Java packages (`org.apache.hadoop.Foo`),
/// file names (`setup.py` has two labels and `py` is not on the generic list) and bundle
/// ids literal.
enum HostNames {
    /// Generic and common top-level domains; with three labels or more any two-letter
    /// (country) domain counts too.
    private static let genericDomains: Set<UInt64> = {
        let names = ["com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io", "local", "lan",
                     "localdomain", "internal", "intranet", "corp", "home", "arpa", "cloud", "online", "site"]
        return Set(names.map { pack(Array($0.utf8)[...]) })
    }()

    private static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for c in bytes.reversed() { v = v << 8 | UInt64(c | 0x20) }
        return v
    }

    @inline(__always)
    static func isLabelByte(_ c: UInt8) -> Bool {
        ByteClass.isLetter(c) || ByteClass.isDigit(c) || c == UInt8(ascii: "-")
    }

    /// Whether `b[start..<end]` is a dotted host name ending in a top-level domain.
    static func isQualifiedName(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end - start >= 4, end - start <= 253 else { return false }
        // The last label: letters only, 2...11 of them, after a dot.
        var dot = end - 1
        while dot > start && ByteClass.isLetter(b[dot]) { dot -= 1 }
        let tld = end - dot - 1
        guard dot > start, b[dot] == UInt8(ascii: "."), tld >= 2, tld <= 11 else { return false }
        var labels = 1
        var labelStart = start
        var i = start
        while i < dot {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                if i == labelStart { return false }
                labels += 1
                labelStart = i + 1
            } else if !isLabelByte(c) {
                return false
            }
            i += 1
        }
        guard dot > labelStart else { return false }
        if tld == 2 && labels >= 2 { return true }
        guard tld <= 8 else { return false }
        var v: UInt64 = 0
        var k = end - 1
        while k > dot {
            v = v << 8 | UInt64(b[k] | 0x20)
            k -= 1
        }
        return genericDomains.contains(v)
    }

    /// Whether `b[start..<end]` is `host:port`: a host name (qualified, or a single label
    /// holding a digit or `-`, or `localhost`) and a port of 1...5 digits.
    static func isHostPort(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var colon = end - 1
        while colon > start && ByteClass.isDigit(b[colon]) { colon -= 1 }
        let digits = end - colon - 1
        guard colon > start, b[colon] == UInt8(ascii: ":"), digits >= 1, digits <= 5 else { return false }
        if isQualifiedName(b, start, colon) { return true }
        var marked = false
        var i = start
        while i < colon {
            let c = b[i]
            guard isLabelByte(c) || c == UInt8(ascii: ".") else { return false }
            if ByteClass.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") { marked = true }
            i += 1
        }
        if marked { return true }
        guard colon - start == 9 else { return false }
        for (k, c) in "localhost".utf8.enumerated() where b[start + k] | 0x20 != c { return false }
        return true
    }
}
