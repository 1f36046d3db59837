import Foundation
import CSodium
import CLZ4
public enum BlockCodecPlaceholder { public static func ok() -> Int32 { sodium_init() } }
