# Attribute assignment on an int: AttributeError: 'int' object has no attribute 'count'.
def tally():
    total = 0
    total.count = 1
    return total


print("start")
tally()
