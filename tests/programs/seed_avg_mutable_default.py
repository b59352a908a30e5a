# Scope article (zh): running average without closures, via mutable default arguments.
def avg(n, values=[]):
    values.append(n)
    return sum(values) / (len(values))


print(avg(10))
print(avg(11))
print(avg(12))
print(avg(1, []))
print(avg(13))


def avg(n, dic={"total": 0, "count": 0}):
    dic["count"] += 1
    dic["total"] += n
    return dic["total"] / dic["count"]


print(avg(10))
print(avg(11))
print(avg(1, {"total": 100, "count": 1}))
print(avg(12))
