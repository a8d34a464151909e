/** The express choice as stored on the payment (payment.shipping_json). */
export interface StoredShipping {
  address: { addressLine1: string; addressLine2: string | null; city: string; country: string; postCode: string };
  shippingCostOre: number;
  shippingMethod: string;
  shippingMethodId: string;
}
