import type { ScreenProps } from '../registry'
import { OrderDetail } from './OrderDetail'
import { OrderSearch } from './OrderSearch'

// 订单与退款: the search at #/orders, one order at #/orders/<orderNo>.
export function OrdersScreen({ rest, navigate }: ScreenProps) {
  return rest ? <OrderDetail key={rest} orderNo={rest} navigate={navigate} /> : <OrderSearch navigate={navigate} />
}
