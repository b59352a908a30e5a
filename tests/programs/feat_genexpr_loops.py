# feat: generator expressions consumed by sum/max in loops: memory stays bounded, & and | on the items
def main():
    t = 0
    for k in range(20):
        t += sum(x * k for x in range(100000) if x & 1)
    print(t)
    print(max(len(str(i)) for i in range(200000)))
main()
