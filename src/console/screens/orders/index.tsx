import { registerScreen } from '../registry'
import './orders.css'
import { OrdersScreen } from './OrdersScreen'

registerScreen({ id: 'orders', title: 'nav.orders', permission: 'read', component: OrdersScreen })
