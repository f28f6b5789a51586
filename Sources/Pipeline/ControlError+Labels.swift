import Control
import Reasoning

extension ControlError {
    /// A label write that failed, for the operator: the file and why (errno), as
    /// `io.rationd.LabelsNotSaved`.
    init(notSaved error: ReasoningError) {
        if case let .cache(path, detail) = error {
            self = .labelsNotSaved(path: path, reason: detail)
        } else {
            self = .internalError("the label was not stored: \(error.description)")
        }
    }
}
