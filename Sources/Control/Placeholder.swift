import NIOCore
import NIOPosix
public enum ControlPlaceholder {}
