import RationCore

extension AlertStore {
    /// New and updated alerts matching `query` (its limit is ignored), as they are stored.
    /// Buffers the newest 256 for a slow reader.
    public func follow(_ query: AlertQuery = AlertQuery()) -> AsyncStream<Alert> {
        let (stream, continuation) = AsyncStream<Alert>.makeStream(bufferingPolicy: .bufferingNewest(256))
        lock.lock()
        let id = nextFollowerID
        nextFollowerID += 1
        if isClosed {
            continuation.finish()
        } else {
            followers[id] = (query, continuation)
        }
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.followers[id] = nil
            self.lock.unlock()
        }
        return stream
    }

    func publish(_ stored: StoredAlert, index: RecordIndex) {
        for follower in followers.values where follower.query.matches(index) && follower.query.matchesText(stored) {
            follower.continuation.yield(stored.alert)
        }
    }
}
