import type { ComponentType } from 'react'
import type { Permission } from '../../shared/console/roles'
import type { common } from '../i18n/common'

// The console's screens, in navigation order. Each lives in screens/<id>/ with its own
// messages.ts; the shell shows a screen only to a role with its permission and routes by the
// location hash (#/orders, #/orders/R2026…), so a reload keeps the place.

export interface ScreenProps {
  /** The hash path after the screen's id ("" or e.g. "R20261207000001"). */
  rest: string
  /** Moves to another place of the console (e.g. navigate('orders', orderNo)). */
  navigate(screen: ScreenId, rest?: string): void
}

export type ScreenId = 'revenue' | 'orders' | 'catalog' | 'coupons' | 'accounts' | 'fapiao' | 'reconciliation' | 'audit'

export interface ScreenEntry {
  id: ScreenId
  title: keyof (typeof common)['zh-CN']
  permission: Permission
  component: ComponentType<ScreenProps>
}

const screens: ScreenEntry[] = []

/** Called by screens/index.ts, once per screen. */
export function registerScreen(entry: ScreenEntry): void {
  screens.push(entry)
  screens.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id))
}

const ORDER: ScreenId[] = ['revenue', 'orders', 'catalog', 'coupons', 'accounts', 'fapiao', 'reconciliation', 'audit']

export const allScreens = (): readonly ScreenEntry[] => screens
