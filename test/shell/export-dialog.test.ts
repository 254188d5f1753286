// The desktop app's export destination: the save dialog opens in the given folder with the suggested
// name and its format's filter; a dismissed dialog exports nothing; a name typed without its
// extension gets one.
import { describe, expect, it } from 'vitest';
import { saveDialogDestination, type SaveDialogOptions } from '../../electron/main/export-dialog';

function fakeDialog(answer: { canceled: boolean; filePath?: string }) {
  const asked: SaveDialogOptions[] = [];
  return { asked, show: async (options: SaveDialogOptions) => (asked.push(options), answer) };
}

describe('saveDialogDestination', () => {
  it('asks where, in the Downloads folder, with the suggested name and the format\u2019s filter', async () => {
    const dialog = fakeDialog({ canceled: false, filePath: '/home/ada/Reports/accounts.xlsx' });
    const destination = saveDialogDestination(dialog.show, () => '/home/ada/Downloads');
    expect(await destination('accounts-20240601-0930.xlsx', 'xlsx')).toEqual({
      path: '/home/ada/Reports/accounts.xlsx',
    });
    expect(dialog.asked).toEqual([
      {
        title: 'Export to Excel',
        defaultPath: '/home/ada/Downloads/accounts-20240601-0930.xlsx',
        filters: [{ name: 'Excel workbook', extensions: ['xlsx'] }],
      },
    ]);
  });

  it('exports nothing when the dialog is dismissed, and adds a missing extension', async () => {
    expect(await saveDialogDestination(fakeDialog({ canceled: true }).show, () => '/tmp')('a.csv', 'csv')).toBeNull();
    expect(
      await saveDialogDestination(fakeDialog({ canceled: false, filePath: '/tmp/report' }).show, () => '/tmp')(
        'a.csv',
        'csv',
      ),
    ).toEqual({
      path: '/tmp/report.csv',
    });
  });
});
