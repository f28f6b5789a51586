/// What happened to an alert when it is published: first raised, seen again (its count grew),
/// or updated in place (a re-judged verdict). Lets a reader of the journal tell a new problem
/// from one it already knows.
public enum AlertEvent: String, Sendable, Hashable, Codable {
    case raised
    case repeated
    case updated
}
