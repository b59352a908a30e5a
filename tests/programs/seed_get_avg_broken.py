# Scope article (zh): count += 1 without nonlocal -> UnboundLocalError for 'count'.
def get_avg():
    count = 0
    total = 0

    def avg(value):
        count += 1
        total += value
        return total / count

    return avg


avg = get_avg()
print("avg created")
print(avg(10))
