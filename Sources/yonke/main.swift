print("yonke")
