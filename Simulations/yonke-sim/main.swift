import Simulator
print("yonke-sim: not yet")
