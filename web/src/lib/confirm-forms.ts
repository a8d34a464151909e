/** Forms marked data-confirm ask before they submit (actions that cannot be undone, or refuse a merchant's calls). */
export function confirmMarkedForms(root: ParentNode = document): void {
  for (const form of root.querySelectorAll<HTMLFormElement>('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm ?? 'Are you sure?')) event.preventDefault();
    });
  }
}
