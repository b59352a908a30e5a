# Closure article: a multiplier factory; each closure remembers its own factor.
def make_multiplier(factor):
    def multiply(n):
        return n * factor
    return multiply


double = make_multiplier(2)
triple = make_multiplier(3)
print(double(5))
print(triple(5))
print(double("ab"), triple([1, 2]))
print(double(2.5), triple(-4))
