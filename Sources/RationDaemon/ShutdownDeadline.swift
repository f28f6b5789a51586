import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Holds the whole stop to `shutdown_timeout`. At that limit ServiceLifecycle cancels the
/// services, but it then waits for every one of them to return, and work that cancellation
/// cannot reach (a blocking system call, a synchronous save on stuck storage, a thread being
/// joined) would keep the daemon running until systemd's SIGKILL. From the start of graceful
/// shutdown a thread of its own (the cooperative pool may be what is stuck) waits
/// `timeout + cancellationGrace`, then logs the services still running and exits.
///
/// Exiting there corrupts nothing: checkpoints are saved only for records whose alerts the
/// store holds, every state file is replaced atomically, and the store recovers a torn tail.
public final class ShutdownDeadline: Sendable {
    public let timeout: Duration
    /// Time the services get after the group cancelled them at `timeout`.
    public let cancellationGrace: Duration
    private let logger: Logger
    /// A pthread-locked box rather than `Mutex`: the services' tasks touch it at once, and on
    /// Linux `Mutex` locks with raw futex calls that ThreadSanitizer cannot see, so it reported
    /// these guarded writes as a race.
    private let running = NIOLockedValueBox<[Int: any Service]>([:])
    private let nextIndex = Atomic<Int>(0)
    private let armed = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    public init(timeout: Duration, cancellationGrace: Duration = .seconds(1), logger: Logger) {
        self.timeout = timeout
        self.cancellationGrace = cancellationGrace
        self.logger = logger
    }

    /// `service`, recorded as running until its `run` returns.
    public func track(_ service: any Service) -> any Service {
        Tracked(service: service, deadline: self, index: nextIndex.add(1, ordering: .relaxed).newValue)
    }

    /// Descriptions of the tracked services still running.
    public var stillRunning: [String] {
        running.withLockedValue { $0.sorted { $0.key < $1.key }.map { "\($0.value)" } }
    }

    /// Starts the countdown (once).
    public func arm() {
        guard !armed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let limit = timeout + cancellationGrace
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let thread = Thread { [self] in
            guard stopped.wait(timeout: .now() + seconds) == .timedOut else { return }
            let waiting = stillRunning
            logger.error("shutdown took longer than shutdown_timeout; exiting without waiting further",
                         metadata: ["shutdown_timeout": "\(timeout)",
                                    "waitingFor": "\(waiting.isEmpty ? "the services' last steps" : waiting.joined(separator: ", "))"])
            fflush(nil)
            _exit(EXIT_FAILURE)
        }
        thread.name = "shutdown-deadline"
        thread.start()
    }

    /// Every service returned: the countdown, if armed, ends without exiting.
    public func disarm() { stopped.signal() }

    /// The service that arms the deadline when graceful shutdown (or cancellation) begins.
    /// Listed last in the group, it is told first.
    public var service: any Service { Arming(deadline: self) }

    private struct Arming: Service, CustomStringConvertible {
        let deadline: ShutdownDeadline
        var description: String { "ShutdownDeadline" }

        func run() async throws {
            try? await gracefulShutdown()
            deadline.arm()
        }
    }

    private struct Tracked: Service, CustomStringConvertible {
        let service: any Service
        let deadline: ShutdownDeadline
        let index: Int
        var description: String { "\(service)" }

        func run() async throws {
            deadline.running.withLockedValue { $0[index] = service }
            defer { _ = deadline.running.withLockedValue { $0.removeValue(forKey: index) } }
            try await service.run()
        }
    }
}
