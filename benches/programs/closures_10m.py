# 10,000,000 closures, each with its own cell, each called once: memory must stay bounded.
def make_counter(start):
    count = start
    def inc():
        nonlocal count
        count = count + 1
        return count
    return inc

def main():
    total = 0
    for i in range(10000000):
        c = make_counter(i)
        total = total + c()
    print(total)

main()
