/// SWIM membership gossip (with Lifeguard refinements) as a pure state machine.
public enum SWIM {}
