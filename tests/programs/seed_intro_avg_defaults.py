# Scope article (zh): a mutable default lives in the function object's __defaults__ and keeps changing.
def avg(n, values=[]):
    values.append(n)
    return sum(values) / (len(values))


print(avg.__defaults__)
print(avg(10))
print(avg(11))
print(avg.__defaults__)


def avg(n, dic={"total": 0, "count": 0}):
    dic["count"] += 1
    dic["total"] += n
    return dic["total"] / dic["count"]


print(avg(10))
print(avg(11))
print(avg.__defaults__)
print(avg.__kwdefaults__, avg.__closure__)
