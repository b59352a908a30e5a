# An "object" made of closures in a dict (bank account) with validation and history.
def make_account(owner, balance=0):
    history = []

    def deposit(amount):
        nonlocal balance
        if amount <= 0:
            raise ValueError('deposit must be positive')
        balance += amount
        history.append(('deposit', amount))
        return balance

    def withdraw(amount):
        nonlocal balance
        if amount > balance:
            raise ValueError(f'insufficient funds: {balance} < {amount}')
        balance -= amount
        history.append(('withdraw', amount))
        return balance

    def report():
        return f'{owner}: {balance} after {len(history)} ops'

    return {'deposit': deposit, 'withdraw': withdraw, 'report': report, 'history': history}


acct = make_account('ann', 100)
print(acct['deposit'](50))
print(acct['withdraw'](30))
try:
    acct['withdraw'](1000)
except ValueError as e:
    print('error:', e)
try:
    acct['deposit'](-5)
except ValueError as e:
    print('error:', e)
print(acct['report']())
print(acct['history'])
other = make_account('bob')
other['deposit'](1)
print(other['report'](), acct['report']())
