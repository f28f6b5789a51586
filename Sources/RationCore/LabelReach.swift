/// How far an operator's label reaches. A template with few literal words (`<*>`, `<*> <*>`,
/// `error <*>`) stands for almost any line: labelling it would silence unrelated faults, so the
/// control socket refuses it unless the operator forces it.
public enum LabelReach {
    /// Fewest literal words a template needs to be labelled without `force`.
    public static let minimumLiteralWords = 2

    /// Words of the template that are not parameters: whitespace-separated tokens that still hold
    /// a letter or a digit once their `<*>` are removed (`pid=<*>` counts, `<*>` and `-` do not).
    public static func literalWords(in templateText: String) -> Int {
        templateText.split(whereSeparator: \.isWhitespace).count { token in
            var rest = Substring(token)
            var literal = ""
            while let range = rest.firstRange(of: "<*>") {
                literal += rest[..<range.lowerBound]
                rest = rest[range.upperBound...]
            }
            literal += rest
            return literal.contains { $0.isLetter || $0.isNumber }
        }
    }

    /// True when labelling `templateText` needs `force`.
    public static func isTooBroad(_ templateText: String) -> Bool {
        literalWords(in: templateText) < minimumLiteralWords
    }

    /// The templates an alert's label implies, sorted and distinct. `normal`: every template of
    /// the window (a window is abnormal when any template is, so a normal window holds only
    /// normal templates). `abnormal`: the window's template when it has exactly one; with
    /// several, which one is at fault is unknown, so none.
    public static func impliedTemplates(_ templateTexts: [String], label: Verdict.Label) -> [String] {
        let texts = Array(Set(templateTexts)).sorted()
        return label == .normal || texts.count == 1 ? texts : []
    }
}
