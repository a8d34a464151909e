/** Amounts as Norwegians read them: "1 234,50 kr". Pure; shared by the server's pages and the browser code. */
const NOK = new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatNok(amountOre: number): string {
  return `${NOK.format(amountOre / 100)} kr`;
}
