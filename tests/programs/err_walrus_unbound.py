# UnboundLocalError: a := in a short-circuited branch leaves its target unbound
def first_big(xs):
    if xs and (big := max(xs)) > 10:
        print("big", big)
    return big

print(first_big([1, 20]))
print(first_big([]))
