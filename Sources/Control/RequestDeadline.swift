import NIOConcurrencyHelpers

/// Runs one handler call with a time limit. A call past its limit is answered at once with
/// `io.rationd.Timeout`; its work is cancelled and handed back in `Expired`, so the session
/// can wait for it before reading the connection's next request: abandoned work stays at
/// most one per connection, bounded by the connection limit.
enum RequestDeadline {
    struct Expired: Error {
        let limit: Duration
        let work: Task<Void, Never>
    }

    static func run<T: Sendable>(within limit: Duration?, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let limit else { return try await body() }
        let pending = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
        let tasks = NIOLockedValueBox<(work: Task<Void, Never>?, timer: Task<Void, Never>?)>((nil, nil))
        @Sendable func finish(_ result: Result<T, any Error>) {
            pending.withLockedValue { c -> CheckedContinuation<T, any Error>? in
                defer { c = nil }
                return c
            }?.resume(with: result)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                pending.withLockedValue { $0 = continuation }
                if Task.isCancelled { return finish(.failure(CancellationError())) }
                let work = Task {
                    do { finish(.success(try await body())) } catch { finish(.failure(error)) }
                    tasks.withLockedValue { $0.timer }?.cancel()
                }
                let timer = Task {
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    work.cancel()
                    finish(.failure(Expired(limit: limit, work: work)))
                }
                tasks.withLockedValue { $0 = (work, timer) }
            }
        } onCancel: {
            let (work, timer) = tasks.withLockedValue { $0 }
            work?.cancel()
            timer?.cancel()
            finish(.failure(CancellationError()))
        }
    }
}
