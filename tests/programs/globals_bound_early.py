# Global names read from functions: which reads may skip the NameError check.
# Bound before any call and never unbound: read unchecked. The others keep the check.
LIMIT = 3
a, (b, *rest) = 1, (2, 3, 4)


def early():
    return LIMIT + a + b + len(rest)


def late_reader():
    return LATE


def deleted_reader():
    return GONE


def excepted_reader():
    return E


def unbinder():
    global UNBOUND_LATER
    del UNBOUND_LATER


def unbound_later_reader():
    return UNBOUND_LATER


GONE = "gone"
E = "e"
UNBOUND_LATER = "here"
print(early())

try:
    late_reader()
except NameError as e:
    print("late:", e)
LATE = "late"
print(late_reader())

print(deleted_reader())
del GONE
try:
    deleted_reader()
except NameError as e:
    print("deleted:", e)

print(excepted_reader())
try:
    1 / 0
except ZeroDivisionError as E:
    print("caught")
try:
    excepted_reader()
except NameError as e:
    print("except-as:", e)

print(unbound_later_reader())
unbinder()
try:
    unbound_later_reader()
except NameError as e:
    print("global del:", e)


# Rebinding from a function (`global`) does not unbind: still read unchecked.
def bump():
    global LIMIT
    LIMIT = LIMIT + 1


bump()
print(early())
