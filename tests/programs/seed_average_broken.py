# Fluent Python ex. 9-12: `count += 1` without nonlocal makes count local -> UnboundLocalError.
def make_averager():
    count = 0
    total = 0

    def averager(new_value):
        count += 1
        total += new_value
        return total / count

    return averager


avg = make_averager()
print("calling avg(10)")
avg(10)
print("not reached")
