import BlockCodec
public enum BlockStorePlaceholder {}
