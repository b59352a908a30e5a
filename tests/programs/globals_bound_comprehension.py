# The first statement that runs another scope's code is a comprehension (a call of its
# function): a global bound after it must still be checked where that scope reads it.
def reader():
    return LATER


try:
    print([LATER for _ in (1,)])
except NameError as e:
    print("comprehension:", e)
LATER = 1
print([LATER for _ in (1, 2)], reader())
