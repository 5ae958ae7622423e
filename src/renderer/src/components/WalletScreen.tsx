import { useEffect } from 'react'
import { useI18n, useS } from '../context'
import { CheckoutPanel } from './CheckoutPanel'
import { ErrorNote } from './ErrorNote'
import { RechargePanel } from './RechargePanel'

export function WalletScreen(): React.JSX.Element {
  const { t, money } = useI18n()
  const balance = useS('wallet', (s) => s.balance)
  const error = useS('wallet', (s) => s.error)
  const load = useS('wallet', (s) => s.load)
  useEffect(() => {
    void load()
  }, [load])
  return (
    <div className="screen">
      <section className="card balance-card" aria-labelledby="balance-title">
        <h2 id="balance-title">{t('wallet.balance')}</h2>
        <ErrorNote error={error} />
        {balance ? (
          <>
            <p className="balance" data-testid="balance" aria-live="polite">
              {money(balance.balance)}
            </p>
            {balance.bonus.amount > 0 && (
              <p className="bonus-balance" data-testid="bonus-balance">
                {t('wallet.bonus', { amount: money(balance.bonus) })}
                <span className="muted"> · {t('wallet.bonusRule')}</span>
              </p>
            )}
            <p className="muted">
              {t('wallet.available', { amount: money(balance.available) })}
              {balance.held.amount > 0 && <> · {t('wallet.held', { amount: money(balance.held) })}</>}
            </p>
            {balance.debt.amount > 0 && (
              <p className="error" role="alert">
                {t('wallet.debt', { amount: money(balance.debt) })}
              </p>
            )}
            <p className="tag">{balance.firstFreeAvailable ? t('wallet.firstFreeAvailable') : t('wallet.firstFreeUsed')}</p>
          </>
        ) : (
          !error && <p>{t('common.loading')}</p>
        )}
      </section>
      <CheckoutPanel purpose="recharge" />
      <RechargePanel />
    </div>
  )
}
