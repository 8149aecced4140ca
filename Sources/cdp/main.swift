print("cdp")
