/// Which connections the control server takes. Non-root peers may fill all slots but one,
/// so silent or stuck clients of other users can never lock root out: the last slot is
/// root's. A peer whose credentials cannot be read counts as non-root.
public enum ConnectionAdmission {
    /// Whether a new connection from `peerUID` is served, given the connections open now.
    public static func admits(peerUID: UInt32?, openNonRoot: Int, openRoot: Int, maxConnections: Int) -> Bool {
        guard openNonRoot + openRoot < maxConnections else { return false }
        if peerUID == 0 { return true }
        return openNonRoot < maxConnections - 1
    }
}
