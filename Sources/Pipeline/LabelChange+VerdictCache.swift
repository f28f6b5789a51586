import Control
import Reasoning

extension LabelChange {
    /// The control socket's form of a change to the verdict cache's operator labels.
    init(_ change: VerdictCache.LabelChange) {
        self.init(template: change.templateText, oldLabel: change.old?.rawValue, newLabel: change.new?.rawValue,
                  match: change.match?.rawValue)
    }
}
