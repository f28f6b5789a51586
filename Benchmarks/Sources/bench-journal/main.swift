print("not implemented")
